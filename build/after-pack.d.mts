import type { PackContext } from './fuses.mjs';

export default function afterPack(context: PackContext): Promise<void>;
