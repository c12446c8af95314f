import { MapChart } from 'echarts/charts';
import { VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { useEffect, useMemo, useState } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
// Both files are fetched only when a world map is drawn (Vite copies them as hashed assets).
import countryCodesUrl from 'i18n-iso-countries/codes.json?url';
import worldUrl from 'world-atlas/countries-110m.json?url';
import { ErrorState, Loading } from '../../components/states.js';
import { EChart, type ChartClick } from './echart.js';
import { breakdownLabel, formatValue, type SeriesResult } from './types.js';

echarts.use([MapChart, VisualMapComponent]);

let registered: Promise<void> | null = null;

/** Registers Natural Earth's 1:110m countries with ECharts, each named by its ISO alpha-2 code. */
function registerWorld(): Promise<void> {
  registered ??= (async () => {
    const [topology, codes] = await Promise.all([
      fetch(worldUrl).then((r) => r.json() as Promise<Topology<{ countries: GeometryCollection<{ name: string }> }>>),
      fetch(countryCodesUrl).then((r) => r.json() as Promise<Array<[string, string, string]>>),
    ]);
    const alpha2 = new Map(codes.map(([a2, , numeric]) => [numeric, a2]));
    const geo = feature(topology, topology.objects.countries);
    // Antarctica has no visitors worth a fifth of the map's height.
    geo.features = geo.features.filter((f) => String(f.id) !== '010');
    for (const f of geo.features) {
      const code = alpha2.get(String(f.id ?? ''));
      f.properties = { ...f.properties, name: code ?? f.properties?.name ?? '' };
    }
    echarts.registerMap('hedgerow-world', geo as unknown as Parameters<typeof echarts.registerMap>[1]);
  })().catch((err: unknown) => {
    registered = null;
    throw err;
  });
  return registered;
}

const regionNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(undefined, { type: 'region' }) : null;
export function countryName(code: string): string {
  try {
    return (/^[A-Z]{2}$/.test(code) && regionNames?.of(code)) || breakdownLabel(code);
  } catch {
    return code;
  }
}

/**
 * PostHog's world map: a trend broken down by `$geoip_country_code`, one colour step per value,
 * with the countries listed in a table beside it (readable without the map, and clickable).
 */
export default function WorldMap({ results, onOpen, compact }: { results: SeriesResult[]; onOpen?: (s: SeriesResult) => void; compact?: boolean }) {
  const [state, setState] = useState<'loading' | 'ready' | Error>('loading');
  useEffect(() => {
    let live = true;
    registerWorld().then(
      () => live && setState('ready'),
      (err: Error) => live && setState(err),
    );
    return () => {
      live = false;
    };
  }, []);

  const rows = useMemo(() => results.map((s) => ({ s, code: String(s.breakdown_value ?? ''), value: s.aggregated_value ?? s.count })).sort((a, b) => b.value - a.value), [results]);
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'item', confine: true, formatter: (p: { name: string; value?: number }) => `${countryName(p.name)}: ${formatValue(Number.isFinite(p.value) ? p.value : 0)}` },
      // The scale spans countries only: "None" (no GeoIP country) has no place on the map.
      visualMap: { min: 0, max: Math.max(1, ...rows.filter((r) => /^[A-Z]{2}$/.test(r.code)).map((r) => r.value)), left: 8, bottom: 8, calculable: false, show: !compact, inRange: { color: ['#dbe4ff', '#1d4aff'] } },
      series: [{ type: 'map', map: 'hedgerow-world', roam: false, emphasis: { label: { show: false } }, data: rows.map((r) => ({ name: r.code, value: r.value })) }],
    }),
    [rows, compact],
  );

  if (state === 'loading') return <Loading label="Loading the world map…" />;
  if (state instanceof Error) return <ErrorState error={new Error(`Could not load the world map: ${state.message}`)} />;
  const onClick = onOpen
    ? (click: ChartClick) => {
        const row = rows.find((r) => r.code === click.name);
        if (row) onOpen(row.s);
      }
    : undefined;
  return (
    <div className={compact ? 'world-map world-map-compact' : 'world-map'}>
      <EChart option={option} onClick={onClick} label={`World map of ${rows.length} countries`} height={compact ? '100%' : 380} />
      {!compact && (
        <table className="table world-map-table">
          <thead>
            <tr>
              <th scope="col">Country</th>
              <th scope="col" className="num">
                Value
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.code}>
                <th scope="row">{countryName(r.code)}</th>
                <td className="num">
                  {onOpen ? (
                    <button type="button" className="link-button" onClick={() => onOpen(r.s)}>
                      {formatValue(r.value)}
                    </button>
                  ) : (
                    formatValue(r.value)
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
