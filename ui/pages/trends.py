"""Stub."""

import streamlit as st


def render(context):
    st.title("trends")
