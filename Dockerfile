FROM node:20-slim AS client
WORKDIR /client
COPY client/package.json client/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
COPY worker ./worker
COPY client ./client
COPY --from=client /client/node_modules ./client/node_modules
RUN pip install --no-cache-dir -e . \
    && python -m babel.messages.frontend compile -d server/translations \
    && useradd --create-home convene \
    && mkdir -p /var/lib/convene && chown convene /var/lib/convene
USER convene
EXPOSE 8000
CMD ["convene", "serve", "--host", "0.0.0.0", "--port", "8000"]
