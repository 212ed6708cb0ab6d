"""Stage 2, judge: the status catalog, scopes, messages, resource templates, error bodies, the verdict
rules of DOMAIN.md §5 and the annotated record. May import `model` and `readers`; pure.
"""
