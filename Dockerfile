FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite:////data/staffdesk.db

RUN useradd --create-home --uid 10001 staffdesk \
    && mkdir /data && chown staffdesk:staffdesk /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install .

USER staffdesk
VOLUME ["/data"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status != 200)"]

CMD ["staffdesk", "serve", "--host", "0.0.0.0", "--port", "3000"]
