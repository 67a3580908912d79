{
  "targets": [
    {
      "target_name": "batch_writer",
      "sources": ["batch_writer.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
