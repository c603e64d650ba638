/** Small line icons drawn inline (no icon font: a missing glyph shows as a box on some systems). */
const PATHS = {
  copy: 'M9 9h10v10H9z M5 15V5h10',
  edit: 'M4 20h4L19 9l-4-4L4 16z M14 6l4 4',
  regenerate: 'M20 11a8 8 0 1 0-2.3 5.7 M20 5v6h-6',
  trash: 'M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13 M10 11v6 M14 11v6',
  check: 'M5 12l5 5L20 7',
  pin: 'M12 16v5 M8 3h8l-1 6 3 4H6l3-4z',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }): React.JSX.Element {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
      <path d={PATHS[name]} />
    </svg>
  );
}
