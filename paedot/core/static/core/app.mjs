// Starts the NHS design system's components (error summary focus, header menu, character count ...).
import { initAll } from '/static/nhsuk/nhsuk-frontend.min.js'

initAll()
