/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The build goes into the Python package (max_dp_server/static/), which the server serves at `/`,
// so `make serve` needs no Node. In development the API is proxied to the server.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: '../max_dp_server/static',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8001',
      '/execute': 'http://127.0.0.1:8001',
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['src/test/setup.ts'],
    css: false,
    pool: 'threads',
    maxWorkers: 2,
  },
});
