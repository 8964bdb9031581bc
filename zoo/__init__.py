"""Released zoo entries (installed as ``kerasgan.zoo_files``): one folder per entry."""
