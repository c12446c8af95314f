/**
 * An event between capture and the events table. Properties stay an object while the request is
 * handled (person processing reads them), with their JSON alongside so each event is serialized
 * once; the request then turns its events into JSONEachRow lines and drops the objects before it
 * waits for the insert, so little survives into the old generation of the heap.
 */
export interface IngestEvent {
  uuid: string;
  teamId: number;
  event: string;
  distinctId: string;
  properties: Record<string, unknown>;
  /** JSON of `properties`; whoever changes `properties` after capture must refresh it. */
  propertiesJson: string;
  /** Event time, epoch ms (new persons take it as created_at). */
  timestampMs: number;
  /** The line's fields that person processing never changes, as JSON members: `{"uuid":…,"elements_chain":…` */
  head: string;
}

/** What person processing decides for one event. */
export interface PersonPart {
  personId: string;
  /** JSON object text of the person's properties at ingest (persons-on-events). */
  personPropertiesJson: string;
  personCreatedAt: string;
  /** `$group_0` … `$group_4` keys ('' when none). */
  groups?: readonly string[];
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedDayPrefix = '';

/** ClickHouse DateTime64 text (UTC) for an epoch-ms instant: `YYYY-MM-DD hh:mm:ss.sss`. Hot: avoids a Date per call. */
export function clickHouseTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 10) + ' ';
  }
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${cachedDayPrefix}${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${PAD3[rest - s * 1000]}`;
}

export function eventHead(f: {
  uuid: string;
  teamId: number;
  event: string;
  distinctId: string;
  timestamp: string;
  createdAt: string;
  sessionId: string;
  windowId: string;
  elementsChain: string;
}): string {
  return (
    `{"uuid":"${f.uuid}","team_id":${f.teamId},"event":${JSON.stringify(f.event)},"distinct_id":${JSON.stringify(f.distinctId)},` +
    `"timestamp":"${f.timestamp}","created_at":"${f.createdAt}","$session_id":${JSON.stringify(f.sessionId)},` +
    `"$window_id":${JSON.stringify(f.windowId)},"elements_chain":${JSON.stringify(f.elementsChain)}`
  );
}

/**
 * One JSONEachRow line for the `events` table. `properties` and `person_properties` are String
 * columns that ClickHouse fills with the raw text of a JSON object
 * (input_format_json_read_objects_as_strings), so the already-serialized JSON is embedded as is
 * instead of being escaped a second time. Empty group columns are left to their default.
 */
export function eventRowLine(e: IngestEvent, p: PersonPart): string {
  let line =
    `${e.head},"properties":${e.propertiesJson},"person_id":"${p.personId}",` +
    `"person_properties":${p.personPropertiesJson},"person_created_at":"${p.personCreatedAt}"`;
  if (p.groups) {
    for (let i = 0; i < p.groups.length; i++) if (p.groups[i]) line += `,"$group_${i}":${JSON.stringify(p.groups[i])}`;
  }
  return line + '}\n';
}
