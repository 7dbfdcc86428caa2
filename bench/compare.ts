/**
 * Field-by-field differences between two JSON values. `ignore` lists paths whose values may
 * legitimately differ (generated ids, times, tokens), written with `[]` for any array index, e.g.
 * `createdAt` or `data[].id`; an ignored field must still be present on both sides.
 */
export function differences(project: unknown, reference: unknown, ignore: string[] = [], at = ''): string[] {
  const pattern = at.replace(/\[\d+\]/g, '[]');
  if (ignore.includes(pattern)) {
    return (project === undefined) === (reference === undefined) ? [] : [`${at}: present on one side only`];
  }
  if (Array.isArray(project) && Array.isArray(reference)) {
    const found =
      project.length === reference.length ? [] : [`${at}: ${project.length} items vs ${reference.length}`];
    for (let i = 0; i < Math.min(project.length, reference.length); i += 1) {
      found.push(...differences(project[i], reference[i], ignore, `${at}[${i}]`));
    }
    return found;
  }
  if (isObject(project) && isObject(reference)) {
    const keys = new Set([...Object.keys(project), ...Object.keys(reference)]);
    return [...keys].flatMap((key) =>
      differences(project[key], reference[key], ignore, at ? `${at}.${key}` : key),
    );
  }
  return Object.is(project, reference)
    ? []
    : [`${at || '(root)'}: project ${JSON.stringify(project)} vs reference ${JSON.stringify(reference)}`];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
