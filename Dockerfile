# The rotation worker against a simulated Exchange organisation (docker-compose.yml builds it). A real organisation's
# worker runs on a Windows host next to Exchange instead (docs/operations.md): it needs powershell.exe and the
# Exchange Management Shell, which no Linux container has.
# Node 24 LTS (supported until April 2028) on Debian 13.
FROM node:24-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The simulator is an npm workspace: npm ci needs its package.json to link it into node_modules.
COPY simulator/package.json ./simulator/
# playwright-core and the other dev tools are needed only to build and test.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.base.json tsconfig.json tsconfig.build.json ./
COPY common ./common
COPY activities ./activities
COPY workflows ./workflows
COPY worker ./worker
COPY client ./client
COPY simulator ./simulator
COPY scripts ./scripts
COPY bin ./bin
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:24-trixie-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The simulated-exchange package (node_modules/simulated-exchange links to it): its launchers and compiled code.
COPY --from=build /app/simulator/package.json ./simulator/
COPY --from=build /app/simulator/bin ./simulator/bin
COPY --from=build /app/simulator/dist ./simulator/dist
# The worker bundles workflows/ at start from these sources.
COPY --from=build /app/workflows ./workflows
COPY --from=build /app/common ./common
COPY --from=build /app/activities ./activities
COPY --from=build /app/tsconfig.base.json /app/tsconfig.json ./
RUN mkdir -p /app/.sim && chown node:node /app/.sim
USER node
# Prometheus metrics when METRICS_BIND_ADDRESS=0.0.0.0:9464 is set.
EXPOSE 9464
# SIGTERM (docker stop) reaches node directly: running activities get WORKER_SHUTDOWN_GRACE to finish.
CMD ["sh", "-c", "test -f \"$EXCHANGE_SIM_STATE\" || node simulator/dist/cli.js create hybrid --state \"$EXCHANGE_SIM_STATE\"; exec node dist/worker/main.js"]
