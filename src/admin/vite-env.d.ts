declare const __BACKEND_URL__: string
