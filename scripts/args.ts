/** Command-line numbers for the benchmark scripts: `--name N` (a positive integer) or the default. */
export function intFlag(name: string, def: number, argv: string[] = process.argv.slice(2)): number {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : def;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer`);
  return v;
}
