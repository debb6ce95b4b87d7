"""`python -m coffeechat`."""

from coffeechat.cli import main

if __name__ == "__main__":
    main()
