// placeholder: implemented in the foundation issue
