// Vite's ?inline import: the file as a data: URL (the main build's tray icon, tray.ts).
declare module '*.png?inline' {
  const dataUrl: string;
  export default dataUrl;
}
