"""app.jinja_env: templates without globals of their own read the environment's globals dict itself
(no ChainMap copied into every render); a template given globals of its own still gets them over the
environment's, without changing the environment's."""

from __future__ import annotations

from app.jinja_env import GlobalsEnvironment


def test_templates_share_the_environments_globals(app):
    env = app.jinja_env
    assert isinstance(env, GlobalsEnvironment)
    assert env.get_template("base.html").globals is env.globals
    assert env.from_string("{{ site_name }}").globals is env.globals


def test_a_template_given_globals_gets_them_over_the_environments(app):
    env = app.jinja_env
    template = env.from_string("{{ only_here }} {{ shared_name }}", globals={"only_here": "A"})
    env.globals["shared_name"] = "B"
    try:
        assert template.render() == "A B"
        assert "only_here" not in env.globals
    finally:
        del env.globals["shared_name"]


def test_a_global_added_after_loading_is_seen(app):
    env = app.jinja_env
    template = env.from_string("{{ added_late }}")
    env.globals["added_late"] = "late"
    try:
        assert template.render() == "late"
    finally:
        del env.globals["added_late"]
