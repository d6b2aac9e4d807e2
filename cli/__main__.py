"""`python -m cli`: the same as the `refunds` console script."""

from cli.main import app

if __name__ == "__main__":
    app(prog_name="refunds")
