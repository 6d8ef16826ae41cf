/** Text modules: recorded upstream fixtures imported by the tests (Vite's `?raw`), gateway.yaml and the API docs' files (wrangler Text rules). */
declare module "*?raw" {
  const text: string;
  export default text;
}

declare module "*.yaml" {
  const text: string;
  export default text;
}

declare module "*.txt" {
  const text: string;
  export default text;
}
