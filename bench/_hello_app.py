"""The ceiling for bench/server_speed.py: the smallest Flask app, served the same way as docbai."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """A constant page: what Flask and gunicorn cost with no work at all."""
    return "Xin chào"
