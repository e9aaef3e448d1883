// Vite build and dev server for the Tandem web client; in dev, API paths go to the local server.
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const server = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [solid()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    port: 5173,
    proxy: {
      '/trpc': { target: server, ws: true, changeOrigin: false },
      '/api': { target: server },
      '/healthz': { target: server },
    },
  },
});
