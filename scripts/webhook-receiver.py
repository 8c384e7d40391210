#!/usr/bin/env python3
"""A small webhook receiver: verifies each notice's Standard Webhooks signature and prints it.

    pip install standardwebhooks
    WEBHOOK_SECRET=whsec_... python3 scripts/webhook-receiver.py 9000
"""
import json, os, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

hook = Webhook(os.environ["WEBHOOK_SECRET"])

class Receive(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            event = hook.verify(body, dict(self.headers))
        except WebhookVerificationError:
            self.send_response(400); self.end_headers(); return
        data = event["data"]
        print(event["type"], data.get("restriction_id") or data.get("listing_id") or "",
              "version", data.get("version"), "items", data.get("items"), flush=True)
        self.send_response(204); self.end_headers()  # 2xx: delivered; duplicates share webhook-id

    def log_message(self, *args):
        pass

HTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000), Receive).serve_forever()
