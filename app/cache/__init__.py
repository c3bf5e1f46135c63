"""Change stamps and a cache of rendered fragments keyed on them.

Every committed transaction that changes a table moves that table's stamp (one row per table in
`change_stamps`, bumped in the same transaction). A rendered fragment is cached per worker under
its inputs *and* the stamps of the tables it was built from, so any change a viewer must see
produces a different key: stale fragments are never served, only left to age out of the LRU.
"""
