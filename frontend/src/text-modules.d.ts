// Text files bundled as strings (esbuild's text loader; the vitest config does the same).
declare module "*.txt" {
  const text: string;
  export default text;
}
