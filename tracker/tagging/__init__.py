"""The tagger's parts: text preparation, companies, roles, violations, actions.

`tracker.tagger.tag_item` is the one entry point; these modules stay pure functions of
(text, taxonomy).
"""
