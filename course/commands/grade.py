"""placeholder"""
import click
@click.command()
def grade(): pass
@click.command()
def release(): pass
