/** Text modules: recorded upstream fixtures imported by the tests (Vite's `?raw`), and gateway.yaml (a wrangler Text rule). */
declare module "*?raw" {
  const text: string;
  export default text;
}

declare module "*.yaml" {
  const text: string;
  export default text;
}
