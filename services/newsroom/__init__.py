"""The newsroom's work (Tòa soạn): accounts and passwords, the article workflow, revisions, uploads, the audit log.

Plain functions over the models that take plain values; the views in blueprints/newsroom/ call them and commit.
"""
