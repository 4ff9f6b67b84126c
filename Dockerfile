# The cep engine as a service: `docker build -t cep . && docker run --rm -p 8080:8080 -p 9464:9464 -e CEP_WS_TOKEN=change-me-please cep`
# serves the bundled SSH example (examples/service/ssh.yaml): dashboard on :8080 (?token=change-me-please),
# Prometheus metrics on :9464. Any other command of the CLI: `docker run --rm cep check examples/rules/*.cep`;
# your own config: mount it and `docker run ... cep serve /config/serve.yaml`.

# Build: the TypeScript and the grammar, then only the production dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle-nearley.mjs ./scripts/
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run: Node 24 (LTS), as the image's unprivileged user `node`.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY src/alerts/dashboard ./src/alerts/dashboard
COPY examples ./examples
USER node
EXPOSE 8080 9464
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:9464/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "/app/dist/runtime/cli.js"]
CMD ["serve", "/app/examples/service/ssh.yaml"]
