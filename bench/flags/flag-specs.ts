/**
 * The 20 flags the benchmark evaluates: the kinds a real project mixes. Created in this order through
 * the API; `idOf` gives the id of a flag created earlier (dependencies name flags by id).
 */

export interface CohortIds {
  property: number;
  static: number;
  behavioural: number;
}

export interface FlagSpec {
  key: string;
  name: string;
  /** Built when the flag is created, so flags created before it can be referenced. */
  filters: () => Record<string, unknown>;
}

const person = (key: string, operator: string, value: unknown) => ({ key, type: 'person', operator, value });
const cohort = (id: number) => ({ key: 'id', type: 'cohort', operator: 'in', value: id });
const condition = (properties: unknown[], rollout: number | null = 100, extra: Record<string, unknown> = {}) => ({ properties, rollout_percentage: rollout, ...extra });

export function flagSpecs(cohorts: CohortIds, idOf: (key: string) => number): FlagSpec[] {
  const specs: Array<[string, string, () => Record<string, unknown>]> = [
    ['everyone', 'boolean, 100%, with payload', () => ({ groups: [condition([])], payloads: { true: '{"banner":"welcome","dismissable":true}' } })],
    ['rollout-10', 'boolean, 10%', () => ({ groups: [condition([], 10)] })],
    ['rollout-50', 'boolean, 50%', () => ({ groups: [condition([], 50)] })],
    ['rollout-90', 'boolean, 90%', () => ({ groups: [condition([], 90)] })],
    [
      'checkout-experiment',
      'multivariate control/test with payloads',
      () => ({
        groups: [condition([])],
        multivariate: { variants: [{ key: 'control', rollout_percentage: 50 }, { key: 'test', rollout_percentage: 50 }] },
        payloads: { control: '{"button":"Buy"}', test: '{"button":"Buy now","color":"green"}' },
      }),
    ],
    [
      'theme',
      'multivariate, 4 variants, 80% rollout, a variant override for beta users',
      () => ({
        groups: [condition([person('beta', 'exact', ['true'])], 100, { variant: 'dark' }), condition([], 80)],
        multivariate: {
          variants: [
            { key: 'light', rollout_percentage: 40 },
            { key: 'dark', rollout_percentage: 30 },
            { key: 'solarized', rollout_percentage: 20 },
            { key: 'high-contrast', rollout_percentage: 10 },
          ],
        },
        payloads: { light: '{"bg":"#fff"}', dark: '{"bg":"#000"}', solarized: '{"bg":"#fdf6e3"}', 'high-contrast': '"hc"' },
      }),
    ],
    ['paying', 'plan in [pro, enterprise]', () => ({ groups: [condition([person('plan', 'exact', ['pro', 'enterprise'])])] })],
    [
      'not-us-half',
      'country is_not US, 50%, or team plan',
      () => ({ groups: [condition([person('country', 'is_not', 'US')], 50), condition([person('plan', 'exact', 'team')])] }),
    ],
    ['acme-staff', 'email icontains @acme.com', () => ({ groups: [condition([person('email', 'icontains', '@acme.com')])] })],
    ['email-regex', 'email regex', () => ({ groups: [condition([person('email', 'regex', '^user\\d*7@(example\\.org|mail\\.test)$')])] })],
    ['working-age', '21 <= age < 65, 75%', () => ({ groups: [condition([person('age', 'gte', 21), person('age', 'lt', 65)], 75)] })],
    ['new-app', 'app_version semver_gte 2.4.0', () => ({ groups: [condition([person('app_version', 'semver_gte', '2.4.0')])] })],
    [
      'app-range',
      'app_version ~1.5.0 or ^3.0.0 or 2.1.*',
      () => ({
        groups: [
          condition([person('app_version', 'semver_tilde', '1.5.0')]),
          condition([person('app_version', 'semver_caret', '3.0.0')]),
          condition([person('app_version', 'semver_wildcard', '2.1.*')]),
        ],
      }),
    ],
    [
      'recent-signups',
      'signup_date after -180d, or before 2025-06-01 with beta set',
      () => ({
        groups: [
          condition([person('signup_date', 'is_date_after', '-180d')]),
          condition([person('signup_date', 'is_date_before', '2025-06-01'), person('beta', 'is_set', 'is_set')], 30),
        ],
      }),
    ],
    ['europe-30-plus', 'person-property cohort', () => ({ groups: [condition([cohort(cohorts.property)])] })],
    ['vip-list', 'static cohort (CSV)', () => ({ groups: [condition([cohort(cohorts.static)])], payloads: { true: '{"tier":"vip"}' } })],
    ['buyers', 'behavioural cohort (purchase in 30 days)', () => ({ groups: [condition([cohort(cohorts.behavioural)])] })],
    [
      'gold-companies',
      'group flag: company tier gold, 50%',
      () => ({ aggregation_group_type_index: 0, groups: [condition([{ key: 'tier', type: 'group', group_type_index: 0, operator: 'exact', value: 'gold' }], 50)] }),
    ],
    [
      'paying-us',
      'flag dependency: paying and country US',
      () => ({ groups: [condition([{ key: String(idOf('paying')), type: 'flag', operator: 'flag_evaluates_to', value: true }, person('country', 'exact', 'US')])] }),
    ],
    [
      'non-buyer-offer',
      'not in the behavioural cohort, free plan, 30%',
      () => ({ groups: [condition([{ ...cohort(cohorts.behavioural), operator: 'not_in' }, person('plan', 'exact', 'free')], 30)] }),
    ],
  ];
  return specs.map(([key, name, filters]) => ({ key, name, filters }));
}
