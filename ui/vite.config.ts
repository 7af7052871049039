// Built assets go where crates/server/build.rs asks (--outDir) and are embedded in the
// binary; `npm run dev` serves the UI against a running `kinsight up` (proxy below).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    target: "es2022",
    // The topology graph library is large and only needed on its tab: its own chunk.
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:7070",
      "/metrics": "http://127.0.0.1:7070",
    },
  },
});
