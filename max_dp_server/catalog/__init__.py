"""The node catalog the designer builds its palette and forms from."""
