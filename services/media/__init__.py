"""Media: the content-addressed image store and resized image variants."""
