"""The staff admin's shared machinery: the site (throttled login), cheap paginator, changelist mixins."""
