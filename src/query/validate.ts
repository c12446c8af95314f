import type { z } from 'zod';
import { HedgerowError } from '../errors.js';

/** Validation of query bodies: the first, most specific problem as a 400 naming its path. */

type Issue = z.core.$ZodIssue;

/** The most specific issue: inside a union, the branch that got furthest into the value. */
function specific(issue: Issue, base: PropertyKey[] = []): { path: PropertyKey[]; message: string } {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length) {
    const candidates = issue.errors.flatMap((branch) => branch.map((i) => specific(i, path)));
    candidates.sort((a, b) => b.path.length - a.path.length);
    if (candidates[0] && candidates[0].path.length > path.length) return candidates[0];
  }
  return { path, message: issue.message };
}

export function zodToHttp(err: z.ZodError, prefix: string): HedgerowError {
  const { path, message } = specific(err.issues[0]!);
  const attr = [prefix, ...path.map(String)].join('.');
  return new HedgerowError('invalid_input', `${attr}: ${message}`, attr);
}

export function parseKind<T>(schema: z.ZodType<T>, query: unknown): T {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw zodToHttp(parsed.error, 'query');
  return parsed.data;
}
