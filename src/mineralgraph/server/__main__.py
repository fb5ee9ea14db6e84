"""`python -m mineralgraph.server` = `mineralgraph serve`."""
from .command import serve_command

if __name__ == "__main__":
    serve_command(prog_name="python -m mineralgraph.server")
