"""Group bundles: a group's books as one signed file, carried between laptops and the server."""
