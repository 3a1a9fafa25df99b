"""The browser fixtures clean up after themselves, so the tests that run after them see the real environment."""
import os


def test_live_app_does_not_leave_its_instance_path_in_the_environment(live_app):
    assert os.environ.get("INSTANCE_PATH") != live_app.instance_path
