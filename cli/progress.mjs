/** A status line that rewrites itself on a terminal (stderr), and stays silent when output is piped. */

/**
 * @param {import("./io.mjs").Output} stream
 * @param {Record<string, string | undefined>} env
 */
export function progressLine(stream, env = process.env) {
  const live = Boolean(stream.isTTY) && env.TERM !== "dumb";
  let shown = false;
  return {
    live,
    /** @param {string} text */
    show(text) {
      if (!live) return;
      stream.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    clear() {
      if (live && shown) stream.write("\r\x1b[2K");
      shown = false;
    },
  };
}
