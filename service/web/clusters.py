"""placeholder"""
from fastapi import APIRouter

router = APIRouter(prefix="/web", include_in_schema=False)
