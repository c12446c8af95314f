import type { FastifyInstance } from 'fastify';
import { HedgerowError } from '../../errors.js';
import type { Project } from '../../metadata/projects.js';
import type { ServerContext } from '../context.js';

/**
 * posthog-js remote config. It advertises only what Hedgerow does today: gzip (so posthog-js
 * sends compressed bodies), the analytics endpoint, autocapture with string element chains, and
 * identified-only person profiles, and whether the project has flags (posthog-js then calls `/flags`).
 * Replay, surveys and heatmaps stay off until they exist.
 */
export function remoteConfigFor(project: Project, hasFeatureFlags: boolean): Record<string, unknown> {
  return {
    token: project.apiToken,
    supportedCompression: ['gzip', 'gzip-js'],
    hasFeatureFlags,
    analytics: { endpoint: '/e/' },
    autocapture_opt_out: false,
    elementsChainAsString: true,
    capturePerformance: false,
    autocaptureExceptions: false,
    errorTracking: { autocaptureExceptions: false, suppressionRules: [] },
    captureDeadClicks: false,
    heatmaps: false,
    surveys: false,
    productTours: false,
    sessionRecording: false,
    defaultIdentifiedOnly: true,
    isAuthenticated: false,
    toolbarParams: {},
    siteApps: [],
    config: { enable_collect_everything: true },
  };
}

export function remoteConfigRoutes(ctx: ServerContext) {
  async function projectFor(token: string): Promise<Project> {
    const project = token.startsWith('phc_') ? await ctx.projects.findByToken(token) : undefined;
    if (!project) throw new HedgerowError('not_found', 'no project has this API key');
    return project;
  }

  async function configOf(project: Project): Promise<Record<string, unknown>> {
    return remoteConfigFor(project, (await ctx.flags.active(project.id)).flags.length > 0);
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    app.get<{ Params: { token: string } }>('/array/:token/config', async (request, reply) => {
      const project = await projectFor(request.params.token);
      return reply.header('cache-control', 'public, max-age=300').send(await configOf(project));
    });
    app.get<{ Params: { token: string } }>('/array/:token/config.js', async (request, reply) => {
      const project = await projectFor(request.params.token);
      const token = JSON.stringify(project.apiToken);
      const config = JSON.stringify(await configOf(project));
      const js =
        `(function(){var w=window;w._POSTHOG_REMOTE_CONFIG=w._POSTHOG_REMOTE_CONFIG||{};` +
        `w._POSTHOG_REMOTE_CONFIG[${token}]={config:${config},siteApps:[]};})();`;
      return reply.header('content-type', 'application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(js);
    });
  };
}
