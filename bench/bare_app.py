"""The baseline of bench/exam_save_throughput.py: a bare Flask app that reads
a form post and answers a few bytes, served by gunicorn exactly like the real
app. Nothing of RM Academy is loaded."""
from flask import Flask, request

app = Flask(__name__)


@app.get("/ping")
def ping():
    return "ok"


@app.post("/save")
def save():
    return f"<span>saved {len(request.form)}</span>"
