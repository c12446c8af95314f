/**
 * An event between capture and the events table. Properties stay an object (person processing
 * reads and changes them) with their JSON kept alongside, so each event is serialized once.
 */
export interface IngestEvent {
  uuid: string;
  teamId: number;
  event: string;
  distinctId: string;
  properties: Record<string, unknown>;
  /** JSON of `properties`; whoever changes `properties` after capture must refresh it. */
  propertiesJson: string;
  /** ClickHouse DateTime64 text, UTC: `YYYY-MM-DD hh:mm:ss.sss`. */
  timestamp: string;
  createdAt: string;
  sessionId: string;
  windowId: string;
  elementsChain: string;
  personId: string;
  /** JSON object text of the person's properties at ingest (persons-on-events). */
  personPropertiesJson: string;
  personCreatedAt: string;
  /** `$group_0` … `$group_4` keys. */
  groups: [string, string, string, string, string];
}

/** ClickHouse DateTime64 text for an epoch-ms instant. */
export function clickHouseTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) + ' ' + iso.slice(11, 23);
}

/**
 * One JSONEachRow line for the `events` table. `properties` and `person_properties` are String
 * columns that ClickHouse fills with the raw text of a JSON object
 * (input_format_json_read_objects_as_strings), so the already-serialized JSON is embedded as is
 * instead of being escaped a second time.
 */
export function eventRowLine(e: IngestEvent): string {
  return (
    `{"uuid":"${e.uuid}","team_id":${e.teamId},"event":${JSON.stringify(e.event)},` +
    `"distinct_id":${JSON.stringify(e.distinctId)},"properties":${e.propertiesJson},` +
    `"timestamp":"${e.timestamp}","created_at":"${e.createdAt}","person_id":"${e.personId}",` +
    `"person_properties":${e.personPropertiesJson},"person_created_at":"${e.personCreatedAt}",` +
    `"$session_id":${JSON.stringify(e.sessionId)},"$window_id":${JSON.stringify(e.windowId)},` +
    `"$group_0":${JSON.stringify(e.groups[0])},"$group_1":${JSON.stringify(e.groups[1])},` +
    `"$group_2":${JSON.stringify(e.groups[2])},"$group_3":${JSON.stringify(e.groups[3])},` +
    `"$group_4":${JSON.stringify(e.groups[4])},"elements_chain":${JSON.stringify(e.elementsChain)}}\n`
  );
}
