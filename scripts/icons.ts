/**
 * `npm run icons`: every icon the packages use, made from one drawing (resources/icon.svg).
 *
 *   resources/icons/<size>x<size>.png   16 … 1024, the Linux icon set (electron-builder's linux.icon folder)
 *   resources/icon.png                  1024 × 1024, the window icon and the source of the two below
 *   resources/icon.icns                 macOS (mac.icon)
 *   resources/icon.ico                  Windows (win.icon; 16 … 256)
 *
 * The SVG is rasterised with resvg (@resvg/resvg-js) and packed with png2icons. The outputs are committed,
 * so building the packages never runs this; run it again after changing the SVG.
 *
 *   node scripts/icons.ts [--out DIR]   (default: resources/)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Resvg } from '@resvg/resvg-js';
import png2icons from 'png2icons';

export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The drawing at size × size pixels, as PNG. */
export function renderPng(svg: Buffer | string, size: number): Buffer {
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' }).render().asPng();
  return Buffer.from(png);
}

export function makeIcons(svgFile: string, outDir: string): string[] {
  const svg = readFileSync(svgFile);
  const written: string[] = [];
  const write = (file: string, data: Buffer): void => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
    written.push(file);
  };
  for (const size of ICON_SIZES) write(join(outDir, 'icons', `${size}x${size}.png`), renderPng(svg, size));
  const big = renderPng(svg, 1024);
  write(join(outDir, 'icon.png'), big);
  const icns = png2icons.createICNS(big, png2icons.BICUBIC2, 0);
  if (!icns) throw new Error('png2icons could not make the .icns file');
  write(join(outDir, 'icon.icns'), icns);
  // forWinExe: BMP entries below 256 px and a PNG at 256 px, which every Windows version and rcedit read.
  const ico = png2icons.createICO(big, png2icons.BICUBIC2, 0, false, true);
  if (!ico) throw new Error('png2icons could not make the .ico file');
  write(join(outDir, 'icon.ico'), ico);
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const outDir = resolve(values.out ?? join(root, 'resources'));
  for (const file of makeIcons(join(root, 'resources', 'icon.svg'), outDir)) console.log(file);
}
