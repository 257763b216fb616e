"""Forecasts and signals: return forecasters, volatility models, sentiment, regime and fusion."""
