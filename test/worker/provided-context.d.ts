/** Values the simulator global setup provides to the workerd tests. */
export {};

declare module "vitest" {
  export interface ProvidedContext {
    simUrl: string;
    simCap: number;
  }
}
