import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeCapturePayload } from '../../capture/decode.js';
import { resolveToken, splitPayload, toIngestEvent } from '../../capture/events.js';
import { resolveSentAt } from '../../capture/timestamps.js';
import { clickHouseTime, eventRowLine } from '../../ingest/ingest-event.js';
import { HedgerowError } from '../../errors.js';
import type { ServerContext } from '../context.js';

const MB = 1024 * 1024;

/** PostHog's capture endpoints and their body caps (raw and decoded). */
const ENDPOINTS: Array<{ paths: string[]; limit: number; defaultEventName?: string }> = [
  { paths: ['/e', '/i/v0/e', '/capture', '/track'], limit: 2 * MB },
  { paths: ['/engage'], limit: 2 * MB, defaultEventName: '$identify' },
  { paths: ['/batch'], limit: 20 * MB },
];

type Query = Record<string, string | undefined>;

export function captureRoutes(ctx: ServerContext) {
  async function handle(request: FastifyRequest, reply: FastifyReply, limit: number, defaultEventName?: string) {
    const query = request.query as Query;
    const payload = splitPayload(
      await decodeCapturePayload({
        body: request.body as Buffer | undefined,
        query,
        contentType: request.headers['content-type'],
        contentEncoding: request.headers['content-encoding'],
        limit,
      }),
    );
    const token = resolveToken(payload);
    if (token.startsWith('phx_')) {
      throw new HedgerowError('ingest_key_unknown', 'a personal API key (phx_) cannot be used to send events; use the project API key (phc_)');
    }
    const project = await ctx.projects.findByToken(token);
    if (!project) throw new HedgerowError('ingest_key_unknown', 'project API key is not valid for any project');

    const now = Date.now();
    const eventCtx = {
      teamId: project.id,
      ip: request.ip,
      now,
      createdAt: clickHouseTime(now),
      sentAt: resolveSentAt(payload.bodySentAt, query.sent_at ?? query._),
      defaultEventName,
    };
    // Validate every event before writing any: a bad request stores nothing.
    const events = payload.events.map((event, i) => toIngestEvent(event, i, eventCtx));
    await ctx.personProcessor.prepare(project.id, events);
    // Synchronous from here: person state cannot change under us between events of this request.
    let rows = '';
    let count = 0;
    for (const e of events) {
      const person = ctx.personProcessor.process(e);
      if (!person) continue; // dropped, as PostHog drops identify/alias/groupidentify without person processing
      ctx.definitions.observe(e);
      rows += eventRowLine(e, person);
      count++;
    }
    // Encoded now, so only an off-heap buffer waits; the writer flushes person changes before the insert.
    await ctx.writer.write(Buffer.from(rows, 'utf8'), count);
    if (query.beacon === '1') return reply.status(204).send();
    return reply.status(200).send({ status: 1 });
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    for (const { paths, limit, defaultEventName } of ENDPOINTS) {
      for (const url of paths) {
        app.route({
          method: ['GET', 'POST'],
          url,
          bodyLimit: limit,
          handler: (request, reply) => handle(request, reply, limit, defaultEventName),
        });
      }
    }
  };
}
