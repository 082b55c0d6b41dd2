"""The read-only web page over the warehouse (`pantau ui`)."""
