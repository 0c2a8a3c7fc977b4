import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The app lives under /app/ both locally (the runtime's gateway) and deployed (CloudFront).
export default defineConfig({
  base: "/app/",
  plugins: [react()],
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false },
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"] },
});
