#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu).
# It installs derivtutor from the source folder that make_autograder.sh put in the zip.
set -euo pipefail
SOURCE=/autograder/source

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip python3-venv >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install -q --upgrade pip
/autograder/venv/bin/python -m pip install -q "$SOURCE/derivtutor-src"
# A quick self-check, so a broken image fails at build time, not on the first student.
/autograder/venv/bin/derivtutor exercises list --exercises "$SOURCE/derivtutor-src/exercises" >/dev/null
