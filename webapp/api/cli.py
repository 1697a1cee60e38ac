"""``flask api verify-credential``: check an Open Badges credential offline against a JWKS file."""
import json
import sys

import click
from flask.cli import AppGroup

from webapp.api import credentials
from webapp.clock import utcnow

api_cli = AppGroup("api", help="HR API and verifiable credentials.")


@api_cli.command("verify-credential")
@click.argument("credential", type=click.File("r"))
@click.option("--jwks", "jwks_file", type=click.File("r"), required=True,
              help="the issuer's public keys, as saved from /.well-known/jwks.json")
def verify_credential(credential, jwks_file) -> None:
    """Exit 0 and print the status (valid, expired, not_yet_valid) if the signature holds, else exit 1."""
    try:
        verified = credentials.verify(credential.read(), json.load(jwks_file), utcnow())
    except (credentials.InvalidCredential, json.JSONDecodeError) as error:
        click.echo(f"not valid: {error}", err=True)
        sys.exit(1)
    subject = verified.credential["credentialSubject"]["achievement"]["name"]
    click.echo(f"{verified.status}: {subject} (status URL: {verified.credential['credentialStatus']['id']})")
