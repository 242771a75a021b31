# pdf-ocr-service: build the TypeScript in one stage, run the compiled JS in a slim one.
# scripts/smoke-prod.sh performs these same steps without Docker (it reads this file), so
# keep to the instructions it understands: FROM, WORKDIR, COPY, RUN, ENV, USER, EXPOSE,
# HEALTHCHECK, ENTRYPOINT and CMD (both in JSON form).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY workers ./workers
RUN npm run build

FROM node:24-bookworm-slim
# tini: PID 1 that forwards SIGTERM to node and reaps orphans; tesseract-ocr-eng: the fast
# OCR model (tessdata_fast); tesseract-ocr: the native engine (OCR_ENGINE=auto drives it; the
# model alone only Recommends it, which --no-install-recommends skips); util-linux: prlimit,
# the children's hard memory cap.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini tesseract-ocr tesseract-ocr-eng util-linux \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The optional node-linux-* packages pin Node 24 for `npm start` on a machine whose own Node is
# older; the image has Node 24 itself, so the ~120 MB copy goes.
RUN npm ci --omit=dev --no-audit --no-fund && rm -rf node_modules/node-linux-* node_modules/.bin/node && npm cache clean --force
COPY --from=build /app/dist ./dist
# The upload page's HTML, CSS and script, served as they are.
COPY public ./public
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--max-semi-space-size=1", "--expose-gc", "dist/src/server.js"]
