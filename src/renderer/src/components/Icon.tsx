/** Small line icons drawn inline (no icon font: a missing glyph shows as a box on some systems). */
const PATHS = {
  copy: 'M9 9h10v10H9z M5 15V5h10',
  edit: 'M4 20h4L19 9l-4-4L4 16z M14 6l4 4',
  regenerate: 'M20 11a8 8 0 1 0-2.3 5.7 M20 5v6h-6',
  trash: 'M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13 M10 11v6 M14 11v6',
  check: 'M5 12l5 5L20 7',
  pin: 'M12 16v5 M8 3h8l-1 6 3 4H6l3-4z',
  attach: 'M20 11l-8 8a5 5 0 0 1-7-7l8-8a3.5 3.5 0 0 1 5 5l-8 8a2 2 0 0 1-3-3l7-7',
  file: 'M6 3h8l4 4v14H6z M14 3v4h4 M9 12h6 M9 16h6',
  pdf: 'M6 3h8l4 4v14H6z M14 3v4h4 M9 13h2a1.5 1.5 0 0 1 0 3H9v-5',
  image: 'M4 5h16v14H4z M4 16l5-5 4 4 3-3 4 4 M15 9h.01',
  folder: 'M3 6h6l2 2h10v11H3z',
  external: 'M14 4h6v6 M20 4l-9 9 M18 14v6H4V6h6',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }): React.JSX.Element {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
      <path d={PATHS[name]} />
    </svg>
  );
}
